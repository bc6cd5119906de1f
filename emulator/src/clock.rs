//! The scaled clock: simulated seconds run `speed` times faster than real ones.
//!
//! Everything in the model is driven lazily from this clock at each request; no
//! background thread advances anything. Reported timestamps are real wall-clock
//! times (the moment a simulated instant happened), so they are never in the future.

use std::time::{Duration, Instant, SystemTime};

#[derive(Debug, Clone)]
pub struct SimClock {
    base_instant: Instant,
    base_wall: SystemTime,
    base_sim: f64,
    speed: f64,
}

impl SimClock {
    pub fn new(speed: f64) -> Self {
        SimClock {
            base_instant: Instant::now(),
            base_wall: SystemTime::now(),
            base_sim: 0.0,
            speed: sanitize(speed),
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Simulated seconds since the emulator started.
    pub fn now(&self) -> f64 {
        self.base_sim + self.base_instant.elapsed().as_secs_f64() * self.speed
    }

    /// Change the speed from now on, keeping simulated time continuous.
    pub fn set_speed(&mut self, speed: f64) {
        let now_sim = self.now();
        let now_wall = self.wall(now_sim);
        self.base_instant = Instant::now();
        self.base_wall = now_wall;
        self.base_sim = now_sim;
        self.speed = sanitize(speed);
    }

    /// The real time at which simulated instant `sim` happened (or happens).
    pub fn wall(&self, sim: f64) -> SystemTime {
        let real = (sim - self.base_sim) / self.speed;
        if real >= 0.0 {
            self.base_wall + Duration::from_secs_f64(real)
        } else {
            self.base_wall
                .checked_sub(Duration::from_secs_f64(-real))
                .unwrap_or(self.base_wall)
        }
    }
}

fn sanitize(speed: f64) -> f64 {
    if speed.is_finite() && speed > 0.0 {
        speed.min(1_000_000.0)
    } else {
        1.0
    }
}
