package server

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
)

// readBody is the one way a handler reads a request body. It accepts exactly
// the media types given (the first is assumed when Content-Type is absent),
// in UTF-8 only, and decodes a gzip, deflate or br Content-Encoding as a
// stream that stops at the body limit: Fiber's own c.Body() would inflate a
// 255 KiB bomb to whatever size it declares before anything could check it.
// Refusals are 415 (media type, charset, encoding) or 413 (too large once
// decoded), naming the header or the limit.
func (s *Server) readBody(c *fiber.Ctx, types ...string) (mediaType string, body []byte, err error) {
	mediaType, err = checkMediaType(c.Get(fiber.HeaderContentType), types)
	if err != nil {
		return "", nil, err
	}
	raw := c.Request().Body() // the bytes as sent: fasthttp decodes nothing here
	switch enc := strings.ToLower(strings.TrimSpace(c.Get(fiber.HeaderContentEncoding))); enc {
	case "", "identity":
		return mediaType, raw, nil
	case "gzip", "x-gzip", "deflate", "br":
		body, err = decodeBounded(enc, raw, s.cfg.BodyLimit)
		return mediaType, body, err
	default:
		msg := "Content-Encoding: " + truncate(enc, 40) + " is not supported: send identity, gzip, deflate or br"
		if strings.Contains(enc, ",") {
			msg = "Content-Encoding: " + truncate(enc, 40) + ": send one encoding (identity, gzip, deflate or br), not a list"
		}
		return "", nil, &apiError{Status: fiber.StatusUnsupportedMediaType, Message: msg + "; nothing was stored", Field: "Content-Encoding"}
	}
}

func checkMediaType(header string, types []string) (string, error) {
	refuse := func(why string) error {
		return &apiError{Status: fiber.StatusUnsupportedMediaType, Field: "Content-Type",
			Message: fmt.Sprintf("Content-Type: %s: send %s (UTF-8); nothing was stored", why, strings.Join(types, " or "))}
	}
	if strings.TrimSpace(header) == "" {
		return types[0], nil
	}
	mt, params, err := mime.ParseMediaType(header)
	if err != nil {
		return "", refuse(fmt.Sprintf("%q is malformed", truncate(header, 60)))
	}
	known := false
	for _, t := range types {
		known = known || mt == t
	}
	if !known {
		return "", refuse(fmt.Sprintf("%s is not accepted here", truncate(mt, 40)))
	}
	for k, v := range params {
		if k != "charset" {
			return "", refuse(fmt.Sprintf("unknown parameter %q", truncate(k, 20)))
		}
		if !strings.EqualFold(v, "utf-8") {
			return "", refuse(fmt.Sprintf("charset %s is not supported", truncate(v, 20)))
		}
	}
	return mt, nil
}

// decodeBounded decodes a compressed body, reading at most limit+1 decoded
// bytes: memory stays within the limit whatever the body claims to inflate to.
func decodeBounded(enc string, raw []byte, limit int) ([]byte, error) {
	corrupt := func(err error) error {
		return &apiError{Status: fiber.StatusBadRequest, Field: "Content-Encoding",
			Message: fmt.Sprintf("Content-Encoding: the body is not valid %s (%v); nothing was stored", enc, err)}
	}
	var r io.Reader
	switch enc {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, corrupt(err)
		}
		defer zr.Close()
		r = zr
	case "deflate": // HTTP's deflate is the zlib format (RFC 9110 8.4.1.2)
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, corrupt(err)
		}
		defer zr.Close()
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(raw))
	}
	body, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, corrupt(err)
	}
	if len(body) > limit {
		return nil, &apiError{Status: fiber.StatusRequestEntityTooLarge, Field: "body",
			Message: fmt.Sprintf("body: more than %d bytes once decoded (%s): the limit is %d bytes; nothing was stored", limit, enc, limit)}
	}
	return body, nil
}

// decodeOneJSON decodes exactly one JSON value into v: anything after it
// but blanks (a second object, text) is an error, which json.Decoder alone
// would leave unread.
func decodeOneJSON(body []byte, v any, disallowUnknown bool) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if disallowUnknown {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailing{offset: dec.InputOffset()}
	}
	return nil
}

// errTrailing is data after the one JSON value a body may hold.
type errTrailing struct{ offset int64 }

func (e errTrailing) Error() string {
	return fmt.Sprintf("data after the JSON value at byte %d: send one JSON value", e.offset)
}
