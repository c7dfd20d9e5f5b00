// Command screenshots retakes the README's screenshots (docs/*.jpg) from a
// running hwfdash with headless Debian Chromium: `make screenshots` starts
// bin/hwfdash on a fresh embedded store and runs it. Each page is taken once
// every chart on it has drawn (its figure says data-state="ready"), so a
// screenshot never shows a chart still loading.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// shot is one screenshot: the page, the window it is taken in and whether
// the whole page is taken (a projector is one screen).
type shot struct {
	path, file    string
	width, height int64
	full          bool
}

var shots = []shot{
	{path: "/", file: "overview.jpg", width: 1280, height: 900, full: true},
	{path: "/present", file: "present.jpg", width: 1920, height: 1080},
	{path: "/countries/DEU", file: "country-phone.jpg", width: 390, height: 844, full: true},
}

// drawAll scrolls every visible chart into view in turn (charts draw when
// they come into view) and resolves once each has drawn and every table
// has its rows, then goes back to the top.
const drawAll = `(async () => {
  const done = (f) => ['ready', 'empty', 'error'].includes(f.dataset.state);
  for (const f of document.querySelectorAll('figure.chart')) {
    if (f.offsetParent === null) continue;
    f.scrollIntoView({block: 'center'});
    for (let i = 0; i < 400 && !done(f); i++) await new Promise(r => setTimeout(r, 100));
    if (!done(f)) throw new Error('chart ' + f.dataset.chart + ' is ' + f.dataset.state);
  }
  // Tables filled by script keep placeholder rows until their data comes.
  for (let i = 0; i < 400 && document.querySelector('tr.placeholder'); i++) await new Promise(r => setTimeout(r, 100));
  if (document.querySelector('tr.placeholder')) throw new Error('a table is still loading');
  window.scrollTo(0, 0);
  return true;
})()`

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the running hwfdash")
	out := flag.String("out", "docs", "where the JPEG files go")
	chrome := flag.String("chrome", "/usr/bin/chromium", "the Chromium executable")
	quality := flag.Int("quality", 82, "JPEG quality; 100 writes PNG files instead (to check them by eye)")
	flag.Parse()
	if err := run(*base, *out, *chrome, *quality); err != nil {
		slog.Error("screenshots", "err", err)
		os.Exit(1)
	}
}

func run(base, out, chrome string, quality int) error {
	tmp, err := os.MkdirTemp("", "hwfdash-shots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.UserDataDir(tmp),
		chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("hide-scrollbars", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	for _, s := range shots {
		ctx, cancel := chromedp.NewContext(actx)
		ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
		var jpg []byte
		// A JPEG keeps the README's images small.
		format, file := page.CaptureScreenshotFormatJpeg, s.file
		if quality >= 100 {
			format, file = page.CaptureScreenshotFormatPng, strings.TrimSuffix(file, ".jpg")+".png"
		}
		shoot := chromedp.FullScreenshot(&jpg, quality)
		if !s.full {
			shoot = chromedp.ActionFunc(func(ctx context.Context) (err error) {
				jpg, err = page.CaptureScreenshot().WithFormat(format).WithQuality(int64(quality)).Do(ctx)
				return err
			})
		}
		err := chromedp.Run(ctx,
			chromedp.EmulateViewport(s.width, s.height),
			chromedp.Navigate(base+s.path),
			chromedp.Evaluate(drawAll, nil, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
			shoot)
		cancelT()
		cancel()
		if err != nil {
			return fmt.Errorf("%s: %w", s.path, err)
		}
		dst := filepath.Join(out, file)
		if err := os.WriteFile(dst, jpg, 0o644); err != nil {
			return err
		}
		slog.Info("screenshot", "page", s.path, "file", dst)
	}
	return nil
}
