// Command bench runs client_golang's side of zerotel's benchmark: the W1, W2 and W3 workloads
// (gather + text encode) and the hot paths H1-H4, built exactly as bench/workloads.ts and
// bench/cases/hot-paths.ts build them. The Node bench drives it over stdin/stdout, one sample at a
// time, so its samples interleave with zerotel's and prom-client's in the same run.
//
// Protocol, one line per request and one per reply:
//
//	build W1|W2|W3   -> "ok SHA256 BYTES" of the first text scrape
//	scrape           -> changes every series (untimed), then "NS" of one gather + text encode
//	hot H1|H2|H3|H4 N -> "NS" of N operations
//	(anything wrong) -> "error MESSAGE"
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// mulberry32 as bench/workloads.ts: uint32 arithmetic, uint32 / 2^32.
func mulberry32(seed uint32) func() float64 {
	a := seed
	return func() float64 {
		a += 0x6d2b79f5
		t := (a ^ (a >> 15)) * (1 | a)
		t = (t + (t^(t>>7))*(61|t)) ^ t
		return float64(t^(t>>14)) / 4294967296
	}
}

type kind int

const (
	counterKind kind = iota
	gaugeKind
	histogramKind
)

type series struct {
	kind     kind
	counter  prometheus.Counter
	gauge    prometheus.Gauge
	observer prometheus.Observer
}

// workload is a registry and every series in creation order, for the changer.
type workload struct {
	reg    *prometheus.Registry
	series []series
}

// family registers a vector of the kind and returns how to bind one series (recorded for the
// changer) and its update: Add for counters, Set for gauges, Observe for histograms.
func (w *workload) family(k kind, name, help string, labels []string) func([]string) func(float64) {
	var vec prometheus.Collector
	var bind func([]string) (series, func(float64))
	switch k {
	case counterKind:
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		vec, bind = v, func(values []string) (series, func(float64)) {
			c := v.WithLabelValues(values...)
			return series{kind: k, counter: c}, c.Add
		}
	case gaugeKind:
		v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		vec, bind = v, func(values []string) (series, func(float64)) {
			g := v.WithLabelValues(values...)
			return series{kind: k, gauge: g}, g.Set
		}
	default:
		v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help}, labels)
		vec, bind = v, func(values []string) (series, func(float64)) {
			h := v.WithLabelValues(values...)
			return series{kind: k, observer: h}, h.Observe
		}
	}
	w.reg.MustRegister(vec)
	return func(values []string) func(float64) {
		s, update := bind(values)
		w.series = append(w.series, s)
		return update
	}
}

var w1LabelNames = []string{"method", "code", "handler"}

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

func buildW1(w *workload) {
	r := mulberry32(42)
	sets := w1LabelSets()
	for i := 0; i < 10; i++ {
		f := w.family(counterKind, fmt.Sprintf("w1_requests_%d_total", i), fmt.Sprintf("W1 requests counter %d.", i), w1LabelNames)
		for _, s := range sets {
			f(s)(float64(int64(r() * 1e6)))
		}
	}
	for i := 0; i < 10; i++ {
		f := w.family(gaugeKind, fmt.Sprintf("w1_inflight_%d", i), fmt.Sprintf("W1 in-flight gauge %d.", i), w1LabelNames)
		for _, s := range sets {
			f(s)(r() * 1000)
		}
	}
	for i := 0; i < 10; i++ {
		f := w.family(histogramKind, fmt.Sprintf("w1_duration_%d_seconds", i), fmt.Sprintf("W1 duration histogram %d.", i), w1LabelNames)
		for _, s := range sets {
			observe := f(s)
			for k := 0; k < 20; k++ {
				observe(r() * 12)
			}
		}
	}
}

func buildW2(w *workload) {
	r := mulberry32(42)
	sets := [][]string{{"a"}, {"b"}, {"c"}}
	for i := 0; i < 10; i++ {
		f := w.family(counterKind, fmt.Sprintf("w2_c%d_total", i), fmt.Sprintf("W2 counter %d.", i), []string{"handler"})
		for _, s := range sets {
			f(s)(float64(int64(r() * 1000)))
		}
	}
	for i := 0; i < 10; i++ {
		f := w.family(gaugeKind, fmt.Sprintf("w2_g%d", i), fmt.Sprintf("W2 gauge %d.", i), []string{"handler"})
		for _, s := range sets {
			f(s)(r() * 100)
		}
	}
	for i := 0; i < 10; i++ {
		f := w.family(histogramKind, fmt.Sprintf("w2_h%d_seconds", i), fmt.Sprintf("W2 histogram %d.", i), []string{"handler"})
		for _, s := range sets {
			observe := f(s)
			for k := 0; k < 5; k++ {
				observe(r() * 3)
			}
		}
	}
}

func buildW3(w *workload) {
	f := w.family(counterKind, "w3_hits_total", "W3 hits per user.", []string{"id"})
	for n := 0; n < 100000; n++ {
		f([]string{fmt.Sprintf("user-%d", n)})(float64(n))
	}
}

// changer changes every series once, as bench/recording-sink.ts does (seed 7).
func changer(w *workload, gaugeScale, histogramScale float64) func() {
	r := mulberry32(7)
	return func() {
		for _, s := range w.series {
			switch s.kind {
			case counterKind:
				s.counter.Add(1)
			case gaugeKind:
				s.gauge.Set(r() * gaugeScale)
			default:
				s.observer.Observe(r() * histogramScale)
			}
		}
	}
}

// scrape is what an HTTP handler does: gather, then write every family in the text format.
func scrape(reg *prometheus.Registry, out *bytes.Buffer) error {
	mfs, err := reg.Gather()
	if err != nil {
		return err
	}
	out.Reset()
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(out, mf); err != nil {
			return err
		}
	}
	return nil
}

func hotValues() []float64 {
	r := mulberry32(42)
	v := make([]float64, 1024)
	for i := range v {
		v[i] = r() * 12
	}
	return v
}

var sink float64

func hot(name string, n int) (time.Duration, error) {
	values := hotValues()
	reg := prometheus.NewRegistry()
	cv := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hot_total", Help: "Hot path counter."}, w1LabelNames)
	hv := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hot_seconds", Help: "Hot path histogram."}, w1LabelNames)
	reg.MustRegister(cv, hv)
	var start time.Time
	switch name {
	case "H1":
		c := cv.WithLabelValues("GET", "200", "v1/data")
		start = time.Now()
		for i := 0; i < n; i++ {
			c.Inc()
		}
	case "H2":
		start = time.Now()
		for i := 0; i < n; i++ {
			cv.WithLabelValues("GET", "200", "v1/data").Inc()
		}
	case "H3":
		h := hv.WithLabelValues("GET", "200", "v1/data")
		start = time.Now()
		for i := 0; i < n; i++ {
			h.Observe(values[i&1023])
		}
	case "H4":
		start = time.Now()
		for i := 0; i < n; i++ {
			hv.WithLabelValues("GET", "200", "v1/data").Observe(values[i&1023])
		}
	default:
		return 0, fmt.Errorf("unknown hot path %q", name)
	}
	elapsed := time.Since(start)
	mfs, _ := reg.Gather()
	sink += float64(len(mfs))
	return elapsed, nil
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	var current *workload
	var change func()
	var buf bytes.Buffer
	reply := func(format string, args ...interface{}) {
		fmt.Fprintf(out, format+"\n", args...)
		out.Flush()
	}
	for in.Scan() {
		fields := strings.Fields(in.Text())
		if len(fields) == 0 {
			continue
		}
		switch {
		case fields[0] == "build" && len(fields) == 2:
			current = &workload{reg: prometheus.NewRegistry()}
			switch fields[1] {
			case "W1":
				buildW1(current)
				change = changer(current, 1000, 12)
			case "W2":
				buildW2(current)
				change = changer(current, 100, 3)
			case "W3":
				buildW3(current)
				change = changer(current, 1, 1)
			default:
				reply("error unknown workload %q", fields[1])
				continue
			}
			if err := scrape(current.reg, &buf); err != nil {
				reply("error %v", err)
				continue
			}
			sum := sha256.Sum256(buf.Bytes())
			reply("ok %s %d", hex.EncodeToString(sum[:]), buf.Len())
		case fields[0] == "scrape" && current != nil:
			change()
			start := time.Now()
			err := scrape(current.reg, &buf)
			elapsed := time.Since(start)
			if err != nil {
				reply("error %v", err)
				continue
			}
			reply("%d", elapsed.Nanoseconds())
		case fields[0] == "hot" && len(fields) == 3:
			n, err := strconv.Atoi(fields[2])
			if err != nil || n <= 0 {
				reply("error bad operation count %q", fields[2])
				continue
			}
			elapsed, err := hot(fields[1], n)
			if err != nil {
				reply("error %v", err)
				continue
			}
			reply("%d", elapsed.Nanoseconds())
		default:
			reply("error unknown request %q", in.Text())
		}
	}
}
