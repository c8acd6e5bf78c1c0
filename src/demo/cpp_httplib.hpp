#pragma once
// cpp-httplib as Debian ships it: libcpp-httplib-dev is the split build (declarations in
// httplib.h, code in libcpp-httplib.so), compiled with OpenSSL, zlib and Brotli support.
// Those macros change the layout of httplib::Request and httplib::ClientImpl, so every
// translation unit must see the same ones the library was built with (`pkg-config
// --cflags cpp-httplib`), or the objects we build and the ones the .so expects differ.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#ifndef CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#endif
#ifndef CPPHTTPLIB_BROTLI_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#endif
#include <httplib.h>
