"""AWS referrals (engagement invitations): the rep's decision, acceptance, and the deal made from them.

`take.take_invitation` runs the state machine of cosell.domain.referral; the steps live in `decision`
(review deal, rejection), `acceptance` (tasks, completion) and `deal` (the referral's one deal, and closing).
"""
