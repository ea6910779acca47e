package sqlstore

import (
	"testing"
	"testing/fstest"
)

func TestRewrite(t *testing.T) {
	pg := &Dialect{Numbered: true}
	lite := &Dialect{IntBooleans: true}
	for _, c := range []struct {
		d        *Dialect
		in, want string
	}{
		{pg, `SELECT a FROM t WHERE b = ? AND c = ? AND d = FALSE`, `SELECT a FROM t WHERE b = $1 AND c = $2 AND d = FALSE`},
		{lite, `SELECT a FROM t WHERE b = ? AND c = ? AND d = FALSE`, `SELECT a FROM t WHERE b = ? AND c = ? AND d = 0`},
		{lite, `UPDATE t SET missing = TRUE WHERE path = ?`, `UPDATE t SET missing = 1 WHERE path = ?`},
		{lite, `VALUES (?, FALSE, ?) ON CONFLICT DO UPDATE SET x = FALSE`, `VALUES (?, 0, ?) ON CONFLICT DO UPDATE SET x = 0`},
		{lite, `SELECT true_name FROM t WHERE falsehood = 'TRUE'`, `SELECT true_name FROM t WHERE falsehood = 'TRUE'`},
		{pg, placeholders(3), `$1, $2, $3`},
	} {
		if got := rewrite(c.in, c.d); got != c.want {
			t.Errorf("rewrite(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSchemaVersion(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("-- +goose Up\nSELECT 1;\n")}
	for name, c := range map[string]struct {
		files []string
		want  int64
	}{
		"none":       {nil, 0},
		"in order":   {[]string{"0001_a.sql", "0002_b.sql", "0010_j.sql", "0003_c.sql", "0004_d.sql", "0005_e.sql", "0006_f.sql", "0007_g.sql", "0008_h.sql", "0009_i.sql"}, 10},
		"gap":        {[]string{"0001_a.sql", "0003_c.sql"}, -1},
		"duplicate":  {[]string{"0001_a.sql", "001_b.sql"}, -1},
		"no version": {[]string{"0001_a.sql", "b.sql"}, -1},
		"zero":       {[]string{"0000_a.sql"}, -1},
	} {
		fsys := fstest.MapFS{"README.md": &fstest.MapFile{}}
		for _, f := range c.files {
			fsys[f] = file
		}
		got, err := SchemaVersion(fsys)
		if (c.want < 0) != (err != nil) || (err == nil && got != c.want) {
			t.Errorf("%s: SchemaVersion = %d, %v; want %d (-1: an error)", name, got, err, c.want)
		}
	}
}
