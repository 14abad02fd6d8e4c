// sort_strings: sorting 1,000,000 short strings (issue 12; Go
// counterpart of bench/programs/sort_strings.plat): "k" and a number from
// the same linear congruential generator, sorted with sort.Strings
// (byte order, as Plat's sort). Prints the first, middle and last
// strings and a position-weighted checksum of their lengths.
package main

import (
	"fmt"
	"sort"
	"strconv"
)

func main() {
	const n = 1000000
	xs := make([]string, 0)
	x := int64(7)
	for i := 0; i < n; i++ {
		x = (x*1103515245 + 12345) % 2147483648
		xs = append(xs, "k"+strconv.FormatInt(x%10000000, 10))
	}
	sort.Strings(xs)
	sum := 0
	for i, s := range xs {
		sum = (sum + int(s[len(s)-1]-'0')*(i%7)) % 1000000007
	}
	fmt.Println(xs[0])
	fmt.Println(xs[n/2])
	fmt.Println(xs[n-1])
	fmt.Println(sum)
}
