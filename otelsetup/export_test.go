package otelsetup

// OTelEnv is otelEnv for the external tests.
var OTelEnv = otelEnv
