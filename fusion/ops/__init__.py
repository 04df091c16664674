"""Low-level tensor operations shared by losses and metrics."""
