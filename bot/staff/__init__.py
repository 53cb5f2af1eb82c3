"""The staff pages and the accounts behind them."""
