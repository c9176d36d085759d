package responder

import (
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gostca/gostca/crypto/ocsp"
)

// cacheStats are the counters of a Cache, for WriteMetrics.
type cacheStats struct {
	presigned, live       atomic.Uint64 // answers
	polls, pollErrors     atomic.Uint64
	signed, crls, crlErrs atomic.Uint64
	signErrs              atomic.Uint64 // OCSP responses that failed to sign
	delegations           atomic.Uint64 // responder certificates issued
	delegateErrs          atomic.Uint64
	seq                   atomic.Uint64
}

// WriteMetrics writes the Cache's metrics in the Prometheus text format
// (for HandlerOptions.Metrics).
func (c *Cache) WriteMetrics(w io.Writer) {
	now := c.clock()
	oldest := 0.0
	c.mu.RLock()
	n, last := len(c.entries), c.lastRead
	for _, e := range c.entries {
		if e.resp != nil {
			oldest = max(oldest, now.Sub(e.resp.ThisUpdate).Seconds())
		}
	}
	c.mu.RUnlock()
	s := &c.stats
	counter(w, "gostca_ocsp_presigned_answers_total", "OCSP answers from a pre-signed response.", s.presigned.Load())
	counter(w, "gostca_ocsp_live_answers_total", "OCSP answers signed on request.", s.live.Load())
	counter(w, "gostca_ocsp_presigned_total", "Responses pre-signed by the follower.", s.signed.Load())
	counter(w, "gostca_ledger_polls_total", "Successful reads of the ledger.", s.polls.Load())
	counter(w, "gostca_ledger_poll_errors_total", "Failed reads of the ledger (busy included).", s.pollErrors.Load())
	counter(w, "gostca_crl_builds_total", "Full and delta CRL pairs made.", s.crls.Load())
	counter(w, "gostca_crl_build_errors_total", "Failed attempts at making the CRLs.", s.crlErrs.Load())
	gauge(w, "gostca_ocsp_cached_certificates", "Certificates with a cached status.", float64(n))
	gauge(w, "gostca_ledger_seq", "Ledger change number last read.", float64(s.seq.Load()))
	gauge(w, "gostca_ledger_last_read_age_seconds", "Seconds since the ledger was last read.", now.Sub(last).Seconds())
	gauge(w, "gostca_ocsp_oldest_response_age_seconds", "Age of the oldest pre-signed response (thisUpdate to now).", oldest)
	counter(w, "gostca_ocsp_signing_errors_total", "OCSP responses that failed to sign.", s.signErrs.Load())
	k := c.signer.Load()
	gauge(w, "gostca_ocsp_signer_expiry_seconds", "Seconds until the responder certificate (the CA's, or the delegated one) expires.", k.cert.NotAfter.Sub(now).Seconds())
	counter(w, "gostca_ocsp_delegations_total", "Delegated responder certificates issued.", s.delegations.Load())
	counter(w, "gostca_ocsp_delegation_errors_total", "Failed attempts at renewing the delegated responder certificate.", s.delegateErrs.Load())
}

// handlerStats are the counters of a Handler.
type handlerStats struct {
	status   [int(ocsp.Unauthorized) + 1]atomic.Uint64 // by OCSP response status
	notMod   atomic.Uint64
	tooLarge atomic.Uint64
	codes    [len(httpCodes) + 1]atomic.Uint64 // by HTTP status; last: others
	latency  [len(latencyBuckets) + 1]atomic.Uint64
	nanos    atomic.Uint64 // sum of the latencies
}

// httpCodes are the HTTP statuses counted apart; others are counted as
// "other".
var httpCodes = [...]int{200, 304, 400, 404, 405, 413, 500, 503}

// latencyBuckets are the upper bounds, in seconds, of the latency
// histogram: from a pre-signed answer (~0.1 ms) to a slow client.
var latencyBuckets = [...]float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5}

// observe counts a request answered with code after d.
func (s *handlerStats) observe(code int, d time.Duration) {
	i := len(httpCodes)
	for j, c := range httpCodes {
		if c == code {
			i = j
			break
		}
	}
	s.codes[i].Add(1)
	sec := d.Seconds()
	b := len(latencyBuckets)
	for j, ub := range latencyBuckets {
		if sec <= ub {
			b = j
			break
		}
	}
	s.latency[b].Add(1)
	s.nanos.Add(uint64(d))
}

func (h *handler) writeMetrics(w io.Writer) {
	fmt.Fprintf(w, "# HELP gostca_ocsp_responses_total OCSP responses by status.\n# TYPE gostca_ocsp_responses_total counter\n")
	for st := range h.stats.status {
		if st == 4 {
			continue
		}
		fmt.Fprintf(w, "gostca_ocsp_responses_total{status=%q} %d\n", ocsp.ResponseStatus(st).String(), h.stats.status[st].Load())
	}
	counter(w, "gostca_http_not_modified_total", "304 answers to If-None-Match.", h.stats.notMod.Load())
	counter(w, "gostca_http_too_large_total", "413 answers to oversized requests.", h.stats.tooLarge.Load())
	fmt.Fprintf(w, "# HELP gostca_http_requests_total HTTP requests by status code.\n# TYPE gostca_http_requests_total counter\n")
	for i := range h.stats.codes {
		code := "other"
		if i < len(httpCodes) {
			code = strconv.Itoa(httpCodes[i])
		}
		fmt.Fprintf(w, "gostca_http_requests_total{code=%q} %d\n", code, h.stats.codes[i].Load())
	}
	const lat = "gostca_http_request_duration_seconds"
	fmt.Fprintf(w, "# HELP %s Time to answer an HTTP request.\n# TYPE %s histogram\n", lat, lat)
	var cum uint64
	for i := range h.stats.latency {
		cum += h.stats.latency[i].Load()
		le := "+Inf"
		if i < len(latencyBuckets) {
			le = strconv.FormatFloat(latencyBuckets[i], 'g', -1, 64)
		}
		fmt.Fprintf(w, "%s_bucket{le=%q} %d\n", lat, le, cum)
	}
	fmt.Fprintf(w, "%s_sum %g\n%s_count %d\n", lat, time.Duration(h.stats.nanos.Load()).Seconds(), lat, cum)
	if h.o.Metrics != nil {
		h.o.Metrics(w)
	}
}

func counter(w io.Writer, name, help string, v uint64) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
}

func gauge(w io.Writer, name, help string, v float64) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", name, help, name, name, v)
}
