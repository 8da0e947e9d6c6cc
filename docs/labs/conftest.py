"""Keep the lab files out of the project's own test run.

The labs' Python files are not tests of this library: the skeletons raise NotImplementedError,
and each ``test_lab*.py`` checks whichever submission ``$LAB_SUBMISSION`` names. So the default
``pytest`` run skips them all; ``tests/test_labs.py`` runs every lab's tests explicitly against
its reference solution and its planted wrong solution. (A file named on the command line is
always collected: ``pytest docs/labs/lab1_vectors/test_lab1.py`` runs it.)
"""

collect_ignore_glob = ["*.py", "*/*.py"]
