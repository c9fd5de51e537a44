"""The conversation engine: messenger-independent input, output and sessions."""
