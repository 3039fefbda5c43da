"""Teacher: the class server at a glance (sessions, the training queue, CPU and memory), with Cancel buttons; the
class's results with names, the view sent to the class and the questions asked."""

import streamlit as st

from app import teacher
from app.classroom.teacher import class_sections

st.title("Teacher")
st.caption("Who is here, what is training and what waits in line. Your own trainings go first.")

if teacher.sign_in():

    @st.fragment(run_every=2.0)
    def overview() -> None:
        teacher.machine()
        teacher.memory_table()
        st.subheader("Trainings")
        teacher.jobs_table()
        st.subheader("Sessions")
        teacher.sessions_table()

    overview()
    class_sections()  # the lesson, the class's results with names, the view sent, questions
    teacher.folder_class_names()
