package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/signalkit/sdk/config"
)

// TestDocsValidationExample checks the example of docs/observability.md's
// Validation section: the file it shows gives the errors it shows.
func TestDocsValidationExample(t *testing.T) {
	data, err := os.ReadFile("../docs/observability.md")
	if err != nil {
		t.Skip("docs/observability.md not found:", err)
	}
	_, rest, ok := strings.Cut(string(data), "This `signals.yaml`:\n\n```yaml\n")
	if !ok {
		t.Fatal("docs/observability.md has no signals.yaml example")
	}
	file, rest, _ := strings.Cut(rest, "```")
	_, rest, _ = strings.Cut(rest, "```text\n")
	want, _, _ := strings.Cut(rest, "```")

	_, err = config.Parse("signals.yaml", []byte(file), config.Default())
	if err == nil {
		t.Fatal("the example parses")
	}
	if got := err.Error() + "\n"; got != want {
		t.Errorf("docs/observability.md shows\n%s\nParse returns\n%s", want, got)
	}
}
