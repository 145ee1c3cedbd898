//! Multi-node tests for Kwartier live in `tests/`: several real nodes on loopback in one
//! process, talking real HTTP. Node set-up comes from `kwartier::testing`.
