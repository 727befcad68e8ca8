from otter.test_files import test_case

OK_FORMAT = False

name = "q0"
points = 0

@test_case(points=0, hidden=False)
def test_q0_student_id(STUDENT_ID):
    from teachkit.simulate import require_student_id
    require_student_id(STUDENT_ID)

