package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// outFile is an output file being written: a temporary file beside path,
// which commit moves into place and abort removes, so that path holds the
// old content or the whole new one, never a part, and nothing appears
// there on failure.
type outFile struct {
	*os.File
	path    string
	mode    os.FileMode
	replace bool // commit may replace an existing file
}

// createOut starts writing path. Unless replace, commit refuses to
// replace a file that exists by then.
func createOut(path string, mode os.FileMode, replace bool) (*outFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, failf("writing %s: %v", path, err)
	}
	return &outFile{File: f, path: path, mode: mode, replace: replace}, nil
}

// commit syncs the file and moves it to its path: a rename when it may
// replace a file, else a link, which fails if the name exists.
func (o *outFile) commit() error {
	tmp := o.Name()
	err := o.Chmod(o.mode)
	if err == nil {
		err = o.Sync()
	}
	if cerr := o.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if o.replace {
			err = os.Rename(tmp, o.path)
		} else if err = os.Link(tmp, o.path); err == nil {
			err = os.Remove(tmp)
		}
	}
	if err != nil {
		os.Remove(tmp)
		if errors.Is(err, fs.ErrExist) {
			return existsError(o.path)
		}
		return failf("writing %s: %v", o.path, err)
	}
	return nil
}

// abort removes the temporary file.
func (o *outFile) abort() {
	o.Close()
	os.Remove(o.Name())
}

// existsError refuses to replace the file path.
func existsError(path string) error {
	return failf("%s exists", path).withHint("give --force to replace it, or --out another file").because(fs.ErrExist)
}
