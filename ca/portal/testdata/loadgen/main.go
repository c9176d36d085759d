// Command loadgen sends GET requests at a fixed rate over a fixed number of
// keep-alive connections and prints the rate achieved and the latency
// percentiles, measured from when each request was due (so a stalled
// server's backlog counts, unlike a closed-loop tool such as wrk). It is
// bench-check.sh's open-loop load:
//
//	go run ./ca/portal/testdata/loadgen -rate 2000 -conns 64 -duration 10s -paths paths.txt http://127.0.0.1:18090
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	rate := flag.Int("rate", 2000, "requests a second")
	conns := flag.Int("conns", 64, "connections")
	duration := flag.Duration("duration", 10*time.Second, "how long")
	pathsFile := flag.String("paths", "", "a file of request paths, one a line, sent in turn")
	flag.Parse()
	if flag.NArg() != 1 || *pathsFile == "" {
		fmt.Fprintln(os.Stderr, "usage: loadgen [-rate N] [-conns N] [-duration D] -paths FILE BASEURL")
		os.Exit(2)
	}
	base := flag.Arg(0)
	f, err := os.Open(*pathsFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var paths []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		paths = append(paths, sc.Text())
	}
	f.Close()

	due := make(chan time.Time, *rate)
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	var wg sync.WaitGroup
	for c := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}, Timeout: 10 * time.Second}
			i := c
			for at := range due {
				i++
				resp, err := client.Get(base + paths[i%len(paths)])
				ok := err == nil
				if ok {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					ok = resp.StatusCode < 500
				}
				d := time.Since(at)
				mu.Lock()
				if ok {
					lat = append(lat, d)
				} else {
					errs++
				}
				mu.Unlock()
			}
		}()
	}
	start := time.Now()
	interval := time.Second / time.Duration(*rate)
	n := int(duration.Seconds() * float64(*rate))
	for k := range n {
		at := start.Add(time.Duration(k) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		due <- at
	}
	close(due)
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	fmt.Printf("RESULT %.0f %.2f %.2f %.2f %d\n", float64(len(lat))/elapsed.Seconds(), pct(0.5), pct(0.99), pct(1), errs)
}
