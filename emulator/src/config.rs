//! How to start the emulator.

use std::net::{IpAddr, Ipv4Addr};

use crate::scenario::Scenario;

#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind; 127.0.0.1 by default.
    pub host: IpAddr,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// Simulated seconds per real second, unless the scenario sets `speed`.
    /// At 1.0 a whole migration of the default six tables takes a few seconds.
    pub speed: f64,
    /// The scenario in force at start and after every reset.
    pub scenario: Scenario,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            speed: 1.0,
            scenario: Scenario::default(),
        }
    }
}

impl Config {
    pub fn with_speed(mut self, speed: f64) -> Self {
        self.speed = speed;
        self
    }

    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    pub fn with_scenario(mut self, scenario: Scenario) -> Self {
        self.scenario = scenario;
        self
    }
}
