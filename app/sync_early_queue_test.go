package app

import (
	"container/heap"
	"fmt"
	"testing"

	"github.com/photosync/photosync/domain"
)

// TestEarlyQueueLargestFirst: the files waiting for an early sender are
// taken the largest first, and of the same size in the order read, so a
// first backup ends with its small files (issue 22: with the index's
// order it ended with two 50 MB videos, sent and read back after all the
// rest).
func TestEarlyQueueLargestFirst(t *testing.T) {
	var q earlyQueue
	sizes := []int64{10, 50 << 20, 300, 20 << 20, 300, 7, 50 << 20, 300}
	for i, n := range sizes {
		heap.Push(&q, domain.LibraryFile{Path: fmt.Sprintf("f%d", i), Size: n})
	}
	var got []string
	for q.Len() > 0 {
		f := heap.Pop(&q).(domain.LibraryFile)
		got = append(got, fmt.Sprintf("%s:%d", f.Path, f.Size))
	}
	want := []string{"f1:52428800", "f6:52428800", "f3:20971520", "f2:300", "f4:300", "f7:300", "f0:10", "f5:7"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("taken %v, want %v", got, want)
	}
	// Files read while others wait join in their place.
	heap.Push(&q, domain.LibraryFile{Path: "a", Size: 5})
	heap.Push(&q, domain.LibraryFile{Path: "b", Size: 9})
	if f := heap.Pop(&q).(domain.LibraryFile); f.Path != "b" {
		t.Fatalf("took %s first, want b", f.Path)
	}
	heap.Push(&q, domain.LibraryFile{Path: "c", Size: 1})
	if f := heap.Pop(&q).(domain.LibraryFile); f.Path != "a" {
		t.Fatalf("took %s, want a", f.Path)
	}
}
