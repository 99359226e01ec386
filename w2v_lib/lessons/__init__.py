"""What only the notebooks use: notebook 07's slower stages (`stages`), the yardstick of how far
vectors moved (`learning_dynamics`, notebooks 06, 08–10), notebook 09's linearised step
(`linear_dynamics`), and notebook 10's playground (`playground`, `playground_widget`).

Nothing else in the library imports this package; it sits above the trainers it teaches with.
Import the modules themselves (this file imports none, so a graded release, which leaves out
the modules that train, still imports the rest).
"""
