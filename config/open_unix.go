//go:build unix

package config

import "syscall"

// openFlags are added to the flags of the open of a configuration file:
// O_NONBLOCK returns at once from the open of a named pipe that has no
// writer, which would otherwise wait for one. It changes nothing for a
// regular file, the only kind readFile then reads.
const openFlags = syscall.O_NONBLOCK
