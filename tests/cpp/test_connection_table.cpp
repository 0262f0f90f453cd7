#include <catch2/catch.hpp>

#include "framework/factories.hpp"
#include "framework/connection_table.hpp"

using namespace tapenet;

TEST_CASE("the LeNet-5 C3 table has LeCun's 60 connections", "[connection_table]") {
  const ConnectionTable t = ConnectionTable::lenet5();
  CHECK(t.in_channels() == 6);
  CHECK(t.out_channels() == 16);
  CHECK(t.connections() == 60);
  CHECK(t.inputs_of(0) == std::vector<int64_t>{0, 1, 2});
  CHECK(t.inputs_of(4) == std::vector<int64_t>{0, 4, 5});
  CHECK(t.inputs_of(9) == std::vector<int64_t>{0, 3, 4, 5});
  CHECK(t.inputs_of(14) == std::vector<int64_t>{0, 2, 3, 5});
  CHECK(t.inputs_of(15).size() == 6);
  // Every S2 map feeds exactly 10 of the 16 C3 maps.
  for (int64_t i = 0; i < 6; ++i) {
    int64_t fan_out = 0;
    for (int64_t o = 0; o < 16; ++o) fan_out += t.connected(o, i);
    CHECK(fan_out == 10);
  }
  CHECK(t.density() == Approx(60.0 / 96.0));
}

TEST_CASE("full, grouped and random tables", "[connection_table]") {
  CHECK(ConnectionTable::full(3, 4).is_full());
  const ConnectionTable g = ConnectionTable::grouped(6, 4, 2);
  CHECK(g.inputs_of(0) == std::vector<int64_t>{0, 1, 2});
  CHECK(g.inputs_of(3) == std::vector<int64_t>{3, 4, 5});
  CHECK(g.connections() == 12);
  CHECK(ConnectionTable::grouped(4, 4, 4).inputs_of(2) == std::vector<int64_t>{2});  // depthwise
  const ConnectionTable r = ConnectionTable::random(6, 16, 4, 7);
  for (int64_t o = 0; o < 16; ++o) CHECK(r.inputs_of(o).size() == 4);
  CHECK(r == ConnectionTable::random(6, 16, 4, 7));
  CHECK_FALSE(r == ConnectionTable::random(6, 16, 4, 8));
  CHECK_THROWS_WITH(ConnectionTable::grouped(6, 4, 4), Catch::Contains("divisible"));
  CHECK_THROWS_AS(ConnectionTable::random(6, 16, 7, 0), ValueError);
  CHECK_THROWS_AS(ConnectionTable::full(0, 2), ValueError);
}

TEST_CASE("a random table with a given number of connections spreads them evenly", "[connection_table]") {
  // The lenet5 density: 60 connections over 16 outputs = 12 outputs reading 4 maps and 4 reading 3.
  const ConnectionTable r = ConnectionTable::random_connections(6, 16, 60, 3);
  CHECK(r.connections() == 60);
  int64_t fours = 0, threes = 0;
  for (int64_t o = 0; o < 16; ++o) {
    const auto n = r.inputs_of(o).size();
    fours += n == 4;
    threes += n == 3;
  }
  CHECK(fours == 12);
  CHECK(threes == 4);
  CHECK(r == ConnectionTable::random_connections(6, 16, 60, 3));
  CHECK_FALSE(r == ConnectionTable::random_connections(6, 16, 60, 4));
  CHECK(ConnectionTable::random_connections(6, 16, 96, 0).is_full());
  CHECK_THROWS_WITH(ConnectionTable::random_connections(6, 16, 15, 0), Catch::Contains("[16, 96], got 15"));
  CHECK_THROWS_AS(ConnectionTable::random_connections(6, 16, 97, 0), ValueError);
}

TEST_CASE("tables convert to and from matrices and tensors", "[connection_table]") {
  const ConnectionTable m({{true, false}, {true, true}, {false, true}});
  CHECK(m.in_channels() == 2);
  CHECK(m.out_channels() == 3);
  const Tensor t = m.to_tensor();
  CHECK(t.dtype() == DType::i64);
  CHECK(t.shape() == Shape{3, 2});
  CHECK(t.at<int64_t>({0, 1}) == 0);
  CHECK(ConnectionTable::from_tensor(t) == m);
  CHECK(ConnectionTable::from_tensor(from_vector(std::vector<float>{1, 0, 0, 1}, {2, 2})).inputs_of(1) ==
        std::vector<int64_t>{1});
  CHECK(m.to_string() == "0: X .\n1: X X\n2: . X\n");
  CHECK_THROWS_WITH(ConnectionTable({{true, false}, {false, false}}), Catch::Contains("output map 1 reads no input"));
  CHECK_THROWS_WITH(ConnectionTable({{true}, {true, false}}), Catch::Contains("ragged"));
  CHECK_THROWS_AS(ConnectionTable::from_tensor(ones({4})), ValueError);
}
