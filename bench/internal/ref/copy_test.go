package ref

import (
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestSameAsCoreReference checks that the yardsticks are still the code of
// signals/reference_test.go, which the core's own benchmarks run: the suite
// and the benchmarks must measure the same designs. The copies differ only in
// the case of names and in the type names Floor and V13.
func TestSameAsCoreReference(t *testing.T) {
	ours := declarations(t, "ref.go", map[string]string{"Floor": "floorSignal", "V13": "v13Signal"})
	core := declarations(t, "../../../signals/reference_test.go", nil)
	compared := 0
	for name, src := range ours {
		want, ok := core[name]
		if !ok {
			t.Errorf("%s is not in signals/reference_test.go", name)
			continue
		}
		if src != want {
			t.Errorf("%s differs from signals/reference_test.go:\n--- ref.go\n%s\n--- reference_test.go\n%s", name, src, want)
		}
		compared++
	}
	if compared < 9 {
		t.Errorf("compared %d declarations, want the 9 or more that ref.go copies", compared)
	}
}

// declarations parses a Go file and returns its top-level types and functions
// as source without comments, keyed by name (Type.method for methods), with
// the names in rename replaced and every identifier's first letter lowered.
func declarations(t *testing.T, path string, rename map[string]string) map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(file, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if to, ok := rename[id.Name]; ok {
				id.Name = to
			}
			r, size := utf8.DecodeRuneInString(id.Name)
			id.Name = string(unicode.ToLower(r)) + id.Name[size:]
		}
		return true
	})
	out := map[string]string{}
	keep := func(name string, node any) {
		var b strings.Builder
		if err := format.Node(&b, token.NewFileSet(), node); err != nil {
			t.Fatal(err)
		}
		out[name] = b.String()
	}
	for _, d := range file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil {
				name = receiverType(d.Recv.List[0].Type) + "." + name
			}
			keep(name, d)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					keep(ts.Name.Name, ts)
				}
			}
		}
	}
	return out
}

// receiverType returns the name of a method's receiver type, such as v13Signal
// for *v13Signal[T].
func receiverType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}
