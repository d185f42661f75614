// Command golden runs exposition conformance fixtures through the real Go
// client library (client_golang 1.14) and writes what it produces, so the
// TypeScript implementation can be compared against it byte for byte.
//
// Usage:
//
//	go run main.go [-out DIR] FIXTURE.json...
//
// For every FIXTURE.json it writes, into DIR (default: next to the fixture),
// either NAME.txt, NAME.om.txt and NAME.pb, or NAME.error.txt when the
// library refused the fixture. See README.md in this directory.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/matttproud/golang_protobuf_extensions/pbutil"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// number accepts a JSON number or one of the strings "NaN", "+Inf", "-Inf".
type number float64

func (n *number) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		switch str {
		case "NaN":
			*n = number(math.NaN())
		case "+Inf":
			*n = number(math.Inf(1))
		case "-Inf":
			*n = number(math.Inf(-1))
		default:
			return fmt.Errorf("invalid number string %q", str)
		}
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("invalid number %s: %v", s, err)
	}
	*n = number(f)
	return nil
}

type op struct {
	Labels []string `json:"labels"`
	Op     string   `json:"op"`
	Value  *number  `json:"value"`
}

type family struct {
	Name        string            `json:"name"`
	Help        string            `json:"help"`
	Type        string            `json:"type"`
	Labels      []string          `json:"labels"`
	ConstLabels map[string]string `json:"const_labels"`
	Buckets     []number          `json:"buckets"`
	Objectives  map[string]number `json:"objectives"`
	Native      *native           `json:"native"`
	Ops         []op              `json:"ops"`
}

// native holds the HistogramOpts.NativeHistogram* fields of a histogram
// family. zero_threshold -1 is NativeHistogramZeroThresholdZero.
type native struct {
	BucketFactor     *number `json:"bucket_factor"`
	ZeroThreshold    *number `json:"zero_threshold"`
	MaxBuckets       *uint32 `json:"max_buckets"`
	MinResetSeconds  *number `json:"min_reset_seconds"`
	MaxZeroThreshold *number `json:"max_zero_threshold"`
}

// check refuses what the fixture format refuses, as a malformed fixture
// (like the TypeScript reader does), not as a client_golang failure.
func (n *native) check(at, typ string) error {
	if typ != "histogram" {
		return fmt.Errorf("%s: only a histogram takes native settings", at)
	}
	if n.BucketFactor == nil {
		return fmt.Errorf("%s.bucket_factor: required", at)
	}
	// NaN settings are undefined behaviour in client_golang (a NaN factor even
	// converts NaN to int32), so the format refuses them.
	for name, v := range map[string]*number{"bucket_factor": n.BucketFactor, "zero_threshold": n.ZeroThreshold, "max_zero_threshold": n.MaxZeroThreshold} {
		if v != nil && math.IsNaN(float64(*v)) {
			return fmt.Errorf("%s.%s: must not be NaN", at, name)
		}
	}
	if s := n.MinResetSeconds; s != nil && !(*s >= 0 && *s <= 9e9) {
		return fmt.Errorf("%s.min_reset_seconds: expected a number of seconds in 0..9e9, got %v", at, float64(*s))
	}
	return nil
}

// apply copies the native settings into opts.
func (n *native) apply(opts *prometheus.HistogramOpts) {
	opts.NativeHistogramBucketFactor = float64(*n.BucketFactor)
	if n.ZeroThreshold != nil {
		opts.NativeHistogramZeroThreshold = float64(*n.ZeroThreshold)
	}
	if n.MaxBuckets != nil {
		opts.NativeHistogramMaxBucketNumber = *n.MaxBuckets
	}
	if n.MinResetSeconds != nil {
		opts.NativeHistogramMinResetDuration = time.Duration(float64(*n.MinResetSeconds) * 1e9)
	}
	if n.MaxZeroThreshold != nil {
		opts.NativeHistogramMaxZeroThreshold = float64(*n.MaxZeroThreshold)
	}
}

type fixture struct {
	Description string   `json:"description"`
	Families    []family `json:"families"`
}

// failure records the stage at which client_golang refused a fixture.
type failure struct {
	stage    string
	family   int
	name     string
	opIndex  int
	hasOp    bool
	hasFam   bool
	errorMsg string
}

func (f *failure) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stage: %s\n", f.stage)
	if f.hasFam {
		fmt.Fprintf(&b, "family_index: %d\n", f.family)
		fmt.Fprintf(&b, "family: %q\n", f.name)
	}
	if f.hasOp {
		fmt.Fprintf(&b, "op_index: %d\n", f.opIndex)
	}
	fmt.Fprintf(&b, "error: %s\n", f.errorMsg)
	return b.String()
}

// catch runs fn and turns a panic into an error whose text starts with "panic: ".
func catch(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn()
}

// built is a constructed family: its collector, and how to reach one series.
type built struct {
	collector prometheus.Collector
	series    func(lvs []string) (prometheus.Metric, error)
}

func construct(f *family) (*built, error) {
	var b *built
	err := catch(func() error {
		labels := prometheus.Labels(f.ConstLabels)
		plain := len(f.Labels) == 0
		switch f.Type {
		case "counter":
			opts := prometheus.CounterOpts{Name: f.Name, Help: f.Help, ConstLabels: labels}
			if plain {
				c := prometheus.NewCounter(opts)
				b = &built{c, plainSeries(c)}
			} else {
				v := prometheus.NewCounterVec(opts, f.Labels)
				b = &built{v, func(lvs []string) (prometheus.Metric, error) { return v.GetMetricWithLabelValues(lvs...) }}
			}
		case "gauge":
			opts := prometheus.GaugeOpts{Name: f.Name, Help: f.Help, ConstLabels: labels}
			if plain {
				g := prometheus.NewGauge(opts)
				b = &built{g, plainSeries(g)}
			} else {
				v := prometheus.NewGaugeVec(opts, f.Labels)
				b = &built{v, func(lvs []string) (prometheus.Metric, error) { return v.GetMetricWithLabelValues(lvs...) }}
			}
		case "histogram":
			opts := prometheus.HistogramOpts{Name: f.Name, Help: f.Help, ConstLabels: labels}
			if len(f.Buckets) > 0 {
				bs := make([]float64, 0, len(f.Buckets))
				for _, x := range f.Buckets {
					bs = append(bs, float64(x))
				}
				opts.Buckets = bs
			}
			if f.Native != nil {
				f.Native.apply(&opts)
			}
			if plain {
				h := prometheus.NewHistogram(opts)
				b = &built{h, plainSeries(h)}
			} else {
				v := prometheus.NewHistogramVec(opts, f.Labels)
				b = &built{v, func(lvs []string) (prometheus.Metric, error) {
					o, err := v.GetMetricWithLabelValues(lvs...)
					if err != nil {
						return nil, err
					}
					return o.(prometheus.Metric), nil
				}}
			}
		case "summary":
			opts := prometheus.SummaryOpts{Name: f.Name, Help: f.Help, ConstLabels: labels}
			if len(f.Objectives) > 0 {
				opts.Objectives = map[float64]float64{}
				for k, e := range f.Objectives {
					q, err := strconv.ParseFloat(k, 64)
					if err != nil {
						return fmt.Errorf("invalid objective rank %q", k)
					}
					opts.Objectives[q] = float64(e)
				}
			}
			if plain {
				s := prometheus.NewSummary(opts)
				b = &built{s, plainSeries(s)}
			} else {
				v := prometheus.NewSummaryVec(opts, f.Labels)
				b = &built{v, func(lvs []string) (prometheus.Metric, error) {
					o, err := v.GetMetricWithLabelValues(lvs...)
					if err != nil {
						return nil, err
					}
					return o.(prometheus.Metric), nil
				}}
			}
		default:
			return fmt.Errorf("unknown metric type %q", f.Type)
		}
		return nil
	})
	return b, err
}

func plainSeries(m prometheus.Metric) func([]string) (prometheus.Metric, error) {
	return func(lvs []string) (prometheus.Metric, error) {
		if len(lvs) != 0 {
			return nil, fmt.Errorf("family has no variable labels but the op gives %d label values", len(lvs))
		}
		return m, nil
	}
}

func apply(f *family, b *built, o *op) error {
	return catch(func() error {
		m, err := b.series(o.Labels)
		if err != nil {
			return err
		}
		v := math.NaN()
		if o.Value != nil {
			v = float64(*o.Value)
		}
		needValue := func() error {
			if o.Value == nil {
				return fmt.Errorf("op %q needs a value", o.Op)
			}
			return nil
		}
		switch f.Type {
		case "counter":
			c := m.(prometheus.Counter)
			switch o.Op {
			case "inc":
				c.Inc()
				return nil
			case "add":
				if err := needValue(); err != nil {
					return err
				}
				c.Add(v)
				return nil
			}
		case "gauge":
			g := m.(prometheus.Gauge)
			switch o.Op {
			case "inc":
				g.Inc()
				return nil
			case "dec":
				g.Dec()
				return nil
			}
			if err := needValue(); err != nil {
				return err
			}
			switch o.Op {
			case "add":
				g.Add(v)
				return nil
			case "sub":
				g.Sub(v)
				return nil
			case "set":
				g.Set(v)
				return nil
			}
		case "histogram", "summary":
			if o.Op == "observe" {
				if err := needValue(); err != nil {
					return err
				}
				m.(prometheus.Observer).Observe(v)
				return nil
			}
		}
		return fmt.Errorf("op %q is not supported for a %s", o.Op, f.Type)
	})
}

type outputs struct {
	txt, om, pb []byte
	fail        *failure
}

func run(fx *fixture) outputs {
	reg := prometheus.NewRegistry()
	builts := make([]*built, len(fx.Families))
	for i := range fx.Families {
		f := &fx.Families[i]
		b, err := construct(f)
		if err != nil {
			return outputs{fail: &failure{stage: "construct", family: i, name: f.Name, hasFam: true, errorMsg: err.Error()}}
		}
		if err := catch(func() error { return reg.Register(b.collector) }); err != nil {
			return outputs{fail: &failure{stage: "register", family: i, name: f.Name, hasFam: true, errorMsg: err.Error()}}
		}
		builts[i] = b
	}
	for i := range fx.Families {
		f := &fx.Families[i]
		for j := range f.Ops {
			if err := apply(f, builts[i], &f.Ops[j]); err != nil {
				return outputs{fail: &failure{stage: "op", family: i, name: f.Name, hasFam: true, opIndex: j, hasOp: true, errorMsg: err.Error()}}
			}
		}
	}
	var mfs []*dto.MetricFamily
	if err := catch(func() error {
		var err error
		mfs, err = reg.Gather()
		return err
	}); err != nil {
		return outputs{fail: &failure{stage: "gather", errorMsg: err.Error()}}
	}
	var txt, om, pb bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&txt, mf); err != nil {
			return outputs{fail: &failure{stage: "gather", errorMsg: "text: " + err.Error()}}
		}
		if _, err := expfmt.MetricFamilyToOpenMetrics(&om, mf); err != nil {
			return outputs{fail: &failure{stage: "gather", errorMsg: "openmetrics: " + err.Error()}}
		}
		if _, err := pbutil.WriteDelimited(&pb, mf); err != nil {
			return outputs{fail: &failure{stage: "gather", errorMsg: "protobuf: " + err.Error()}}
		}
	}
	om.WriteString("# EOF\n")
	return outputs{txt: txt.Bytes(), om: om.Bytes(), pb: pb.Bytes()}
}

func readFixture(path string) (*fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var fx fixture
	if err := dec.Decode(&fx); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	for i, f := range fx.Families {
		if f.Native != nil {
			if err := f.Native.check(fmt.Sprintf("families[%d].native", i), f.Type); err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
		}
	}
	return &fx, nil
}

func main() {
	outDir := flag.String("out", "", "directory for the outputs (default: the fixture's own directory)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run main.go [-out DIR] FIXTURE.json...")
		os.Exit(2)
	}
	status := 0
	for _, path := range flag.Args() {
		fx, err := readFixture(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			status = 1
			continue
		}
		dir := *outDir
		if dir == "" {
			dir = filepath.Dir(path)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			status = 1
			continue
		}
		base := filepath.Join(dir, strings.TrimSuffix(filepath.Base(path), ".json"))
		res := run(fx)
		files := map[string][]byte{}
		if res.fail != nil {
			files[".error.txt"] = []byte(res.fail.text())
		} else {
			files[".txt"] = res.txt
			files[".om.txt"] = res.om
			files[".pb"] = res.pb
		}
		for _, ext := range []string{".txt", ".om.txt", ".pb", ".error.txt"} {
			content, ok := files[ext]
			if !ok {
				// Drop an output of the other kind left by an earlier run.
				_ = os.Remove(base + ext)
				continue
			}
			if err := os.WriteFile(base+ext, content, 0o644); err != nil {
				fmt.Fprintln(os.Stderr, err)
				status = 1
			}
		}
	}
	os.Exit(status)
}
