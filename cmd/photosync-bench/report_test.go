package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// report is the Markdown table of both scenarios: per tool, the median
// wall time and its spread, throughput, requests (median run's), peak RSS
// (the largest) and photosync's median over the tool's.
func report(data dataset, order []string, first, again map[string][]sample) string {
	var b strings.Builder
	b.WriteString("| scenario | tool | wall median | min–max | MB/s | HTTP requests | peak RSS | photosync / this |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, sc := range []struct {
		name    string
		samples map[string][]sample
		rate    bool
	}{{"first backup", first, true}, {"no-change sync", again, false}} {
		ours := median(sc.samples["photosync sync"])
		for _, tool := range order {
			s := sc.samples[tool]
			if len(s) == 0 {
				continue
			}
			med := median(s)
			lo, hi := spread(s)
			rate := "—"
			if sc.rate {
				rate = fmt.Sprintf("%.1f", float64(data.bytes)/1e6/med.wall.Seconds())
			}
			ratio := "—"
			if ours.wall > 0 {
				ratio = fmt.Sprintf("%.2f", ours.wall.Seconds()/med.wall.Seconds())
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s–%s | %s | %d (%s) | %.0f MB | %s |\n",
				sc.name, tool, secs(med.wall), secs(lo), secs(hi), rate, med.reqs.total(), med.reqs, float64(peak(s))/1e6, ratio)
		}
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
	return fmt.Sprintf("%.2f s", d.Seconds())
}
