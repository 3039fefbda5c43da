"""The class as one experiment (pages "Class results" and "Teacher", and a box in every page's sidebar): the class
database (`core.classroom`) as the app uses it.

    shared.py    the server's one connection to the class database, its answers kept for a moment; the
                 session's display name and owner; a page's link and opening one in this session
    record.py    every finished run of the Training page and the CNN lab becomes a row of the class's results
    follow.py    "Send my view to the class" (the teacher) and its notice in every student's sidebar
    predict.py   the teacher's questions on a link: answered before Train, the prediction beside the result
    schema.py    the Class results page's settings (filters); figures.py its figures; views.py its sections
    teacher.py   the Teacher page's class sections: lesson, results with names, CSV, clear, questions
"""
