package eval

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// CorpusEnv names the environment variable that points at the evaluation
// corpora when they are not in the default place.
const CorpusEnv = "PRECIS_CORPUS"

// ErrNoCorpus is returned by FindCorpus when no corpus directory is found.
var ErrNoCorpus = errors.New("evaluation corpus not found")

// FindCorpus returns the evaluation corpus directory: dir if it is not
// empty, else $PRECIS_CORPUS, else the first "shared/corpus" found beside
// start or one of its parents (the corpora live next to the checkout, not
// inside it).
func FindCorpus(dir, start string, getenv func(string) string) (string, error) {
	if dir == "" && getenv != nil {
		dir = getenv(CorpusEnv)
	}
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return "", fmt.Errorf("%w: %s is not a directory", ErrNoCorpus, dir)
		}
		return dir, nil
	}
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoCorpus, err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		cand := filepath.Join(d, "shared", "corpus")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("%w: no shared/corpus above %s (set %s)", ErrNoCorpus, abs, CorpusEnv)
}
