// churn N: the string/object churn loop of issue 9 (Go counterpart of
// bench/programs/churn.plat). N times: build a string from i, wrap it
// with i in a heap object, keep the object in a ring of the last 16 (so
// neither escape analysis nor dead-code elimination removes the work),
// and add the string's length and the object's number to a checksum.
// Almost nothing stays live: the collector's whole job is freeing.
package main

import (
	"fmt"
	"os"
	"strconv"
)

type item struct {
	name string
	n    int64
}

func main() {
	n := int64(6000000)
	if len(os.Args) > 1 {
		v, err := strconv.ParseInt(os.Args[1], 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "usage: churn N")
			os.Exit(2)
		}
		n = v
	}
	var ring [16]*item
	var sum int64
	for i := int64(0); i < n; i++ {
		s := "item " + strconv.FormatInt(i, 10) + " of the churn loop"
		it := &item{name: s, n: i}
		ring[i%16] = it
		sum += int64(len(it.name)) + it.n%7
	}
	for _, it := range ring {
		if it != nil {
			sum += it.n
		}
	}
	fmt.Println(sum)
}
