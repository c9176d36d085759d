package responder

import (
	"fmt"
	"io"
	"sync/atomic"

	"github.com/gostca/gostca/ca/ocsp"
)

// cacheStats are the counters of a Cache, for WriteMetrics.
type cacheStats struct {
	presigned, live       atomic.Uint64 // answers
	polls, pollErrors     atomic.Uint64
	signed, crls, crlErrs atomic.Uint64
	seq                   atomic.Uint64
}

// WriteMetrics writes the Cache's metrics in the Prometheus text format
// (for HandlerOptions.Metrics).
func (c *Cache) WriteMetrics(w io.Writer) {
	c.mu.RLock()
	n, last := len(c.entries), c.lastRead
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
	gauge(w, "gostca_ledger_last_read_age_seconds", "Seconds since the ledger was last read.", c.clock().Sub(last).Seconds())
}

// handlerStats are the counters of a Handler.
type handlerStats struct {
	status   [int(ocsp.Unauthorized) + 1]atomic.Uint64 // by OCSP response status
	notMod   atomic.Uint64
	tooLarge atomic.Uint64
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
