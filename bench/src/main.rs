//! `dmsflow-bench`: prints one table of dmsflow's performance figures.

mod table;

fn main() {
    let rows: Vec<table::Row> = Vec::new();
    print!("{}", table::render(&rows));
}
