"""Updates kept before they are acknowledged, and the worker that handles them."""
