//! The one integration-test binary: each module tests a part against real servers on 127.0.0.1.

mod sandbox;
