// A loopback port nobody listens on at the moment, for the third-party programs interop tests start.
#pragma once

#include <cstdint>

namespace interop {

// Binds 127.0.0.1:0, reads the port the kernel chose and closes the socket. Another process may take the port
// before the caller's program binds it; the window is short and ports are handed out in turn, so tests accept it.
// Aborts the test binary when no socket can be bound (nothing could run without one).
uint16_t FreeLoopbackPort();

}  // namespace interop
