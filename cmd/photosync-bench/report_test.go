package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// results are the samples of every (scenario, server, tool), in the order
// they were first added.
type results struct {
	rows []*row
}

// row is one line of the table.
type row struct {
	scenario, server, tool string
	bytes                  int64 // moved per run, for MB/s; 0 when the scenario is not about bytes
	samples                []sample
}

// add records one sample.
func (r *results) add(scenario, server, tool string, bytes int64, s sample) {
	for _, x := range r.rows {
		if x.scenario == scenario && x.server == server && x.tool == tool {
			x.samples = append(x.samples, s)
			return
		}
	}
	r.rows = append(r.rows, &row{scenario: scenario, server: server, tool: tool, bytes: bytes, samples: []sample{s}})
}

// ours is photosync's row of the same scenario and server.
func (r *results) ours(x *row) *row {
	for _, y := range r.rows {
		if y.scenario == x.scenario && y.server == x.server && strings.HasPrefix(y.tool, "photosync") {
			return y
		}
	}
	return nil
}

// get answers the row of a scenario, server and tool, or nil.
func (r *results) get(scenario, server, tool string) *row {
	for _, x := range r.rows {
		if x.scenario == scenario && x.server == server && x.tool == tool {
			return x
		}
	}
	return nil
}

// markdown is the table: per row the median wall time and its spread,
// throughput, requests (the median run's), peak RSS (the largest), the
// median run's CPU time (the tool's own, user and system; and the whole
// machine's busy time while it ran: the tool, the server and anything else
// running) and photosync's median over the row's.
func (r *results) markdown() string {
	var b strings.Builder
	b.WriteString("| scenario | server | tool | wall median | min–max | MB/s | HTTP requests | peak RSS | CPU: tool / machine | photosync / this |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, x := range r.rows {
		med := median(x.samples)
		lo, hi := spread(x.samples)
		rate := "—"
		if x.bytes > 0 && med.wall > 0 {
			rate = fmt.Sprintf("%.0f", float64(x.bytes)/1e6/med.wall.Seconds())
		}
		ratio := "—"
		if o := r.ours(x); o != nil && med.wall > 0 {
			ratio = fmt.Sprintf("%.2f", median(o.samples).wall.Seconds()/med.wall.Seconds())
		}
		reqs := "—"
		if med.reqs != nil {
			reqs = fmt.Sprintf("%d (%s)", med.reqs.total(), med.reqs)
			if med.reqs.total() == 0 {
				reqs = "0"
			}
		}
		cpu := "—"
		if med.cpu > 0 || med.machineCPU > 0 {
			cpu = fmt.Sprintf("%.2f / %.2f s", med.cpu.Seconds(), med.machineCPU.Seconds())
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s–%s | %s | %s | %.0f MB | %s | %s |\n",
			x.scenario, x.server, x.tool, secs(med.wall), secs(lo), secs(hi), rate, reqs, float64(peak(x.samples))/1e6, cpu, ratio)
	}
	return b.String()
}

// median is the sample with the median wall time (the lower of the two
// middle ones for an even count).
func median(s []sample) sample {
	if len(s) == 0 {
		return sample{}
	}
	sorted := slices.Clone(s)
	slices.SortFunc(sorted, func(a, b sample) int { return int(a.wall - b.wall) })
	return sorted[(len(sorted)-1)/2]
}

// spread is the fastest and slowest wall time.
func spread(s []sample) (time.Duration, time.Duration) {
	lo, hi := s[0].wall, s[0].wall
	for _, x := range s {
		lo, hi = min(lo, x.wall), max(hi, x.wall)
	}
	return lo, hi
}

// peak is the largest peak RSS of the samples.
func peak(s []sample) int64 {
	var p int64
	for _, x := range s {
		p = max(p, x.rss)
	}
	return p
}

// secs formats d in seconds.
func secs(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.3f s", d.Seconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
