// The store's records as protocol JSON. Money goes as a decimal string in the currency's
// units with its ISO 4217 code beside it ("19.99", "EUR"), as in docs/stacking.md.
#pragma once

#include "protocol/message.hpp"
#include "store/model.hpp"

namespace dealstack::actions {

protocol::Json to_json(const store::Watch& w);
protocol::Json to_json(const store::Alert& a);
protocol::Json to_json(const store::Chart& c);
protocol::Json to_json(const store::Observation& o);

// A price in minor units of `currency` as its decimal string; null when none.
protocol::Json amount_json(const std::optional<std::int64_t>& minor, const std::string& currency);

// watch.add's params as a Watch. Errors "invalid_params" naming the field.
Result<store::Watch> watch_from_params(const protocol::Json& params);

}  // namespace dealstack::actions
