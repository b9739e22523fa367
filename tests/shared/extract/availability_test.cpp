#include "extract/product.hpp"

#include <doctest/doctest.h>

using dealstack::Availability;
using dealstack::parse_availability;
using dealstack::to_string;

TEST_CASE("schema.org availability URLs in every form") {
  CHECK(parse_availability("http://schema.org/InStock") == Availability::InStock);
  CHECK(parse_availability("https://schema.org/OutOfStock") == Availability::OutOfStock);
  CHECK(parse_availability("InStock") == Availability::InStock);
  CHECK(parse_availability("schema:PreOrder") == Availability::PreOrder);
  CHECK(parse_availability("https://schema.org/BackOrder") == Availability::BackOrder);
  CHECK(parse_availability("https://schema.org/LimitedAvailability") == Availability::LimitedAvailability);
  CHECK(parse_availability("https://schema.org/Discontinued") == Availability::Discontinued);
  CHECK(parse_availability("https://schema.org/SoldOut") == Availability::SoldOut);
  CHECK(parse_availability("https://schema.org/InStoreOnly") == Availability::InStock);
  CHECK(parse_availability("https://schema.org/OnlineOnly") == Availability::InStock);
}

TEST_CASE("feed-style availability words") {
  CHECK(parse_availability("instock") == Availability::InStock);
  CHECK(parse_availability("in stock") == Availability::InStock);
  CHECK(parse_availability("in_stock") == Availability::InStock);
  CHECK(parse_availability("IN-STOCK") == Availability::InStock);
  CHECK(parse_availability("oos") == Availability::OutOfStock);
  CHECK(parse_availability("out of stock") == Availability::OutOfStock);
  CHECK(parse_availability("preorder") == Availability::PreOrder);
}

TEST_CASE("white space and a trailing slash around an availability URL") {
  CHECK(parse_availability("  https://schema.org/InStock  ") == Availability::InStock);
  CHECK(parse_availability("https://schema.org/OutOfStock/") == Availability::OutOfStock);
}

TEST_CASE("unknown or empty availability is Unknown, never out of stock") {
  CHECK(parse_availability("") == Availability::Unknown);
  CHECK(parse_availability("https://schema.org/") == Availability::Unknown);
  CHECK(parse_availability("maybe") == Availability::Unknown);
  CHECK(parse_availability("3 left") == Availability::Unknown);
}

TEST_CASE("to_string round-trips every value") {
  for (Availability a : {Availability::Unknown, Availability::InStock, Availability::OutOfStock,
                         Availability::PreOrder, Availability::BackOrder, Availability::LimitedAvailability,
                         Availability::Discontinued, Availability::SoldOut}) {
    if (a == Availability::Unknown) CHECK(to_string(a) == "Unknown");
    else CHECK(parse_availability(to_string(a)) == a);
  }
}
