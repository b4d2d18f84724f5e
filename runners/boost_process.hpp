#pragma once
// Boost.Process v2, included the one way that compiles with Boost 1.81 and std::filesystem.
// Every runner file that needs Boost.Process includes this instead of Boost's headers.
//
// Boost 1.81 quirk: with BOOST_PROCESS_USE_STD_FS, Boost.Process v2's config.hpp still names
// boost::optional and its headers use boost::decay / is_convertible / is_constructible
// unqualified, but only the boost::filesystem branch includes them. Include them first.
#include <boost/optional.hpp>
#include <boost/type_traits.hpp>
// Header-only (BOOST_PROCESS_V2_HEADER_ONLY is the default); never include v2/src.hpp.
#include <boost/process/v2.hpp>
#include <boost/process/v2/posix/default_launcher.hpp>
