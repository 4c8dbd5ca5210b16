package suite

import (
	"bytes"
	_ "embed"
	"os"
	"path/filepath"
	"text/template"
)

// quietLoad is the 1-minute load average below which a run counts as made on
// a quiet machine.
const quietLoad = 0.3

// maxOtherShare is the share of the machine's CPU that other processes may
// use during a run that is not marked preliminary.
const maxOtherShare = 0.05

// reportTemplate writes docs/performance.md from a Report: the prose and the
// tables' layout are there, the numbers in the model.
//
//go:embed report.md.tmpl
var reportTemplate string

// parseReport parses the report template with the format functions.
func parseReport() (*template.Template, error) {
	return template.New("report.md.tmpl").Funcs(formatFuncs()).Option("missingkey=error").Parse(reportTemplate)
}

func (s *Suite) writeReport() error {
	model, err := s.model()
	if err != nil {
		return err
	}
	t, err := parseReport()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, model); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.cfg.Out, "performance.md"), b.Bytes(), 0o644)
}
