//! The `hypatia` command (see [`cli`]).

mod cli;

fn main() -> anyhow::Result<()> {
    cli::main()
}
