// Package bench measures client_golang 1.14 on the native-histogram cases of
// `npm run bench`, so their figures can be set beside zerotel's:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go test -bench . -benchtime 2s ./scripts/golden/bench
//
// BenchmarkH3Native is H3 (a bound histogram child's Observe, default buckets)
// with NativeHistogramBucketFactor 1.1; BenchmarkW1NativeProtobuf gathers W1
// (30 families of 100 series, its 10 histograms native with factor 1.1 and the
// default buckets kept) and encodes it as delimited protobuf.
package bench

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	"github.com/matttproud/golang_protobuf_extensions/pbutil"
	"github.com/prometheus/client_golang/prometheus"
)

var labelNames = []string{"method", "code", "handler"}

func w1LabelSets() [][]string {
	var sets [][]string
	for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		for _, c := range []string{"200", "201", "400", "404", "500"} {
			for _, h := range []string{"v1/data", "v1/policies", "v1/query", "health", "metrics"} {
				sets = append(sets, []string{m, c, h})
			}
		}
	}
	return sets
}

func values() []float64 {
	r := rand.New(rand.NewSource(42))
	v := make([]float64, 1024)
	for i := range v {
		v[i] = r.Float64() * 12
	}
	return v
}

func BenchmarkH3Native(b *testing.B) {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "hot_seconds", Help: "Hot path histogram.",
		Buckets: prometheus.DefBuckets, NativeHistogramBucketFactor: 1.1,
	}, labelNames).WithLabelValues("GET", "200", "v1/data")
	v := values()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Observe(v[i&1023])
	}
}

func BenchmarkH3Classic(b *testing.B) {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "hot_seconds", Help: "Hot path histogram.",
	}, labelNames).WithLabelValues("GET", "200", "v1/data")
	v := values()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Observe(v[i&1023])
	}
}

func buildW1(native bool) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	r := rand.New(rand.NewSource(42))
	sets := w1LabelSets()
	for i := 0; i < 10; i++ {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: fmt.Sprintf("w1_requests_%d_total", i), Help: "W1 requests counter."}, labelNames)
		reg.MustRegister(c)
		for _, s := range sets {
			c.WithLabelValues(s...).Add(float64(r.Intn(1e6)))
		}
	}
	for i := 0; i < 10; i++ {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: fmt.Sprintf("w1_inflight_%d", i), Help: "W1 in-flight gauge."}, labelNames)
		reg.MustRegister(g)
		for _, s := range sets {
			g.WithLabelValues(s...).Set(r.Float64() * 1000)
		}
	}
	for i := 0; i < 10; i++ {
		opts := prometheus.HistogramOpts{Name: fmt.Sprintf("w1_duration_%d_seconds", i), Help: "W1 duration histogram.", Buckets: prometheus.DefBuckets}
		if native {
			opts.NativeHistogramBucketFactor = 1.1
		}
		h := prometheus.NewHistogramVec(opts, labelNames)
		reg.MustRegister(h)
		for _, s := range sets {
			o := h.WithLabelValues(s...)
			for k := 0; k < 20; k++ {
				o.Observe(r.Float64() * 12)
			}
		}
	}
	return reg
}

func benchW1Protobuf(b *testing.B, native bool) {
	reg := buildW1(native)
	var buf bytes.Buffer
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		for _, mf := range mfs {
			if _, err := pbutil.WriteDelimited(&buf, mf); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkW1NativeProtobuf(b *testing.B)  { benchW1Protobuf(b, true) }
func BenchmarkW1ClassicProtobuf(b *testing.B) { benchW1Protobuf(b, false) }
