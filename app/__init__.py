"""The sample service the quickstart pipeline builds and deploys (see README.md)."""
