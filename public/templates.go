package public

import (
	"embed"
	"io/fs"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the page templates (templates/*.html).
func Templates() fs.FS { return templates }
