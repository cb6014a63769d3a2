"""Exchange access. `ccxt_adapter` is the only module in harvest that imports ccxt."""
