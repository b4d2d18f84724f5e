// The one doctest main shared by every test executable (kept out of the libraries: the
// linker would drop TEST_CASEs living in static libraries).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
