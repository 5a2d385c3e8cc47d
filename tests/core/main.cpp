// main.cpp: the doctest runner of the core tests (native and WebAssembly under Node).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
