// string_append N: builds a string of N 10-byte pieces with a
// strings.Builder and prints its length (Go counterpart of
// bench/programs/string_append.plat, issue 12: 1,000,000 appends -> 10 MB).
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "usage: string_append N")
			os.Exit(2)
		}
		n = v
	}
	piece := "0123456789"
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(piece)
	}
	s := b.String()
	fmt.Println(len(s))
}
