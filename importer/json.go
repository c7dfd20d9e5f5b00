package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonScalar reads a JSON string, number or null as text; ok is false for
// objects, arrays and booleans. A string's quotes are removed, so callers
// that need a number must check str.
func jsonScalar(raw json.RawMessage) (text string, str, ok bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", false, true
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false, false
		}
		return s, true, true
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return string(raw), false, true
	}
	return "", false, false
}

// expectDelim reads the next token and checks it is d.
func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %w", what, jsonErr(err))
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("%s: want %q, found %v", what, d, tok)
	}
	return nil
}

// jsonErr says "cut short" for a truncated file.
func jsonErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the file ends before its JSON does (cut short?)")
	}
	return err
}

// streamArray decodes each element of the array the decoder is at, calling
// fn with its 1-based position.
func streamArray(dec *json.Decoder, what string, fn func(i int, raw json.RawMessage) error) error {
	if err := expectDelim(dec, '[', what); err != nil {
		return err
	}
	for i := 1; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%s, element %d: %w", what, i, jsonErr(err))
		}
		if err := fn(i, raw); err != nil {
			return err
		}
	}
	return expectDelim(dec, ']', what)
}
