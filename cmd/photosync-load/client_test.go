package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// loadResult is what the load generator saw.
type loadResult struct {
	requests  int
	errors    int
	firstErrs []string
	latencies []time.Duration // sorted
	elapsed   time.Duration
}

func (r loadResult) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(int(float64(len(r.latencies))*p), len(r.latencies)-1)]
}

// hammer sends GET /api/v1/photos pages at random offsets over conns
// connections of their own (one keep-alive connection each) until ctx
// ends. One request in twenty is a text search (for a hundred photos). A
// request fails when it does not answer 200 with photos and a total of at
// least minTotal (100 for a search).
func hammer(ctx context.Context, base, token string, conns, minTotal int) loadResult {
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for w := range conns {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}, Timeout: 2 * time.Minute}
			defer client.CloseIdleConnections()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			var lat []time.Duration
			var errs []string
			for n := 0; ctx.Err() == nil; n++ {
				path, want := fmt.Sprintf("/api/v1/photos?offset=%d&count=100", rng.IntN(minTotal-100)), minTotal
				if n%20 == 19 {
					path, want = fmt.Sprintf("/api/v1/photos?q=IMG_%04d&count=100", rng.IntN(minTotal/100)), 100
				}
				t0 := time.Now()
				err := getPage(client, base+path, token, want)
				if ctx.Err() != nil && err != nil {
					break // cut by the end of the run, not a failure
				}
				lat = append(lat, time.Since(t0))
				if err != nil {
					errs = append(errs, fmt.Sprintf("%s: %v", path, err))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.requests += len(lat)
			res.errors += len(errs)
			res.latencies = append(res.latencies, lat...)
			if len(res.firstErrs) < 5 {
				res.firstErrs = append(res.firstErrs, errs[:min(len(errs), 5-len(res.firstErrs))]...)
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.latencies)
	return res
}

// getPage fetches one page of photos and checks it.
func getPage(client *http.Client, url, token string, minTotal int) error {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != 200 {
		return fmt.Errorf("status %d: %.200s", res.StatusCode, raw)
	}
	var page struct {
		Total  int
		Photos []json.RawMessage
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return err
	}
	if page.Total < minTotal || len(page.Photos) == 0 {
		return fmt.Errorf("total %d, %d photos on the page", page.Total, len(page.Photos))
	}
	return nil
}
