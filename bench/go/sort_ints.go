// sort_ints: sorting 1,000,000 Int64 (issue 12; Go counterpart of
// bench/programs/sort_ints.plat). The values come from the same linear
// congruential generator; sort.Slice as the issue names it (Go 1.19 has
// no slices package). Prints the smallest, middle and largest values and
// a position-weighted checksum, which only the sorted order gives.
package main

import (
	"fmt"
	"sort"
)

func main() {
	const n = 1000000
	xs := make([]int64, 0)
	x := int64(42)
	for i := 0; i < n; i++ {
		x = (x*1103515245 + 12345) % 2147483648
		xs = append(xs, x)
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	sum := int64(0)
	for i, v := range xs {
		sum = (sum + v%1000*int64(i%7)) % 1000000007
	}
	fmt.Println(xs[0])
	fmt.Println(xs[n/2])
	fmt.Println(xs[n-1])
	fmt.Println(sum)
}
