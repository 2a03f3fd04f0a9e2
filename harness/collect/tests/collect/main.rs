//! The collect stage against a scripted host that replays the adapters'
//! captured tool output instead of running cargo and the benches. One test
//! binary, organised by area.

mod run;
mod scripted;
mod tools;
