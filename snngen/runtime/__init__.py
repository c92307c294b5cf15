"""Runtime objects with Brian2's names: groups, monitors, inputs, the network and its run."""
