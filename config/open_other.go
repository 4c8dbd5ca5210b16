//go:build !unix

package config

// openFlags are added to the flags of the open of a configuration file;
// none here: named pipes in the file system, whose open waits for a
// writer, are a Unix thing.
const openFlags = 0
